// Page title, the two views (Lab, Paper grid) and the status line, which both views share.
import { useLab } from '../store/lab';
import { StatusLine } from './StatusLine';

export function Header() {
  const tab = useLab((s) => s.tab);
  const teaching = useLab((s) => s.teaching);
  const setTab = useLab.getState().setTab;
  return (
    <header className="header">
      <div className="title">
        <h1>ICL Lab</h1>
        <p className="tagline">
          Watch Transformers, Mamba and MambaFormer learn in context, trained on your own GPU (Park et al. 2024).
        </p>
      </div>
      {teaching ? null : (
        <nav aria-label="Views" className="button-row">
          <button type="button" aria-pressed={tab === 'lab'} onClick={() => setTab('lab')}>
            Lab
          </button>
          <button type="button" aria-pressed={tab === 'grid'} onClick={() => setTab('grid')}>
            Paper grid
          </button>
        </nav>
      )}
      <StatusLine />
    </header>
  );
}
