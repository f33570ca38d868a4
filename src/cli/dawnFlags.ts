// The Dawn flags the CLI passes to nodeGpu: ICL_DAWN_FLAGS, ';'-separated (e.g. enable-dawn-features=…),
// for experiments on the device machine.
export function envDawnFlags(): string[] {
  return process.env.ICL_DAWN_FLAGS?.split(';').filter((f) => f.trim()) ?? [];
}
