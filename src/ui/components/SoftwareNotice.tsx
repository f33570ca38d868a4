// A notice when WebGPU runs on the CPU (SwiftShader, lavapipe, llvmpipe): training there is
// hundreds of times slower than on a GPU, and the page's run times assume a GPU. Says what to do.
import { presetConfig } from '../../train/presets';
import { isSoftwareAdapter } from '../presetTime';
import { useLab } from '../store/lab';

const RENDERERS: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/lavapipe/i, 'lavapipe'],
  [/llvmpipe/i, 'llvmpipe'],
];

/** The software renderer an adapter's name shows, in words. */
function rendererName(adapter: string): string {
  return RENDERERS.find(([re]) => re.test(adapter))?.[1] ?? 'a software renderer';
}

export function SoftwareNotice() {
  const adapter = useLab((s) => s.adapter);
  if (adapter === null || !isSoftwareAdapter(adapter)) return null;
  const software = rendererName(adapter);
  const teaching = () => {
    const c = useLab.getState().config;
    useLab.getState().replaceConfig(presetConfig('teaching', c.task, c.model, c.seed));
  };
  return (
    <section className="software-notice" aria-labelledby="software-notice-title">
      <h2 id="software-notice-title">WebGPU runs on the CPU here</h2>
      <p>
        This browser&apos;s WebGPU adapter is {software} ({adapter}): it runs on the processor, so training is hundreds
        of times slower than on a GPU, and the run times this page quotes assume a GPU.
      </p>
      <details>
        <summary>What helps</summary>
        <ul>
          <li>
            Open the lab in a browser whose WebGPU uses the GPU: a recent Chrome or Edge on Windows, macOS or ChromeOS,
            or Safari 26 and later.
          </li>
          <li>
            Here, train the Teaching preset: the smallest setting that still shows the paper&apos;s contrast.{' '}
            <button type="button" onClick={teaching}>
              Switch to Teaching
            </button>
          </li>
          <li>Open a share link of a run trained on a GPU: it shows the curves without training.</li>
        </ul>
      </details>
    </section>
  );
}
