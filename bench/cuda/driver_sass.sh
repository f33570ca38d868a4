#!/usr/bin/env bash
# What the NVIDIA Vulkan driver made of our kernels: runs a command with the driver's shader
# disk cache pointed at an empty folder, then finds the machine code in the cache (zstd frames;
# each kernel's code ends at an EXIT followed by a branch to itself) and disassembles each
# kernel with nvdisasm into OUT_DIR/kernel<N>.sass. Prints each kernel's instruction mix and
# highest register (occupancy: registers × threads per workgroup against the SM's 65,536).
#
#   bench/cuda/driver_sass.sh OUT_DIR COMMAND [ARGS…]
#   e.g. bench/cuda/driver_sass.sh /tmp/sass node dist-cli/cli.mjs bench --quick --only scan
#   (to narrow a case to one kernel variant: bench/kernels/)
#
# Needs nvdisasm (CUDA toolkit) and zstd on PATH (the device machine has no zstd: carry a
# binary, with its libzstd.so.1 on LD_LIBRARY_PATH). Kernels are not named in the cache: run
# few kernels per command, and tell them apart by size. What it shows, for example: a k loop
# left as a loop pays an index computation and a bounds clamp per shared-memory read, where
# the k steps written out read at immediate offsets.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OUT=$1; shift
mkdir -p "$OUT"
CACHE=$(mktemp -d)
__GL_SHADER_DISK_CACHE=1 __GL_SHADER_DISK_CACHE_PATH=$CACHE __GL_SHADER_DISK_CACHE_SKIP_CLEANUP=1 "$@" >/dev/null 2>&1 || echo "the command failed; disassembling what it compiled" >&2
python3 - "$CACHE" "$OUT" <<'PY'
import collections, glob, os, re, shutil, struct, subprocess, sys, tempfile
cache, out = sys.argv[1:3]
EXIT = bytes.fromhex('4d79000000000000')  # sm_90 EXIT (unpredicated), low 64 bits
BRA_SELF = bytes.fromhex('4779fc00fcffffff')  # BRA to itself, low 64 bits
tmp = tempfile.mkdtemp()

def disassemble(code):
    open(f'{tmp}/code.bin', 'wb').write(code)
    r = subprocess.run(['nvdisasm', '-b', 'SM90', f'{tmp}/code.bin'], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None

def kernels(raw):
    """(start, end) of each kernel's code: a kernel may have several EXITs; its code ends at
    the last one before a branch-to-self, and starts at the first 16-byte slot after the
    previous kernel from which nvdisasm decodes everything (the code's start is not marked)."""
    lo, at = 0, raw.find(EXIT)
    while at >= 0:
        end = at + 16
        if raw[end:end + 8] == BRA_SELF:  # the kernel's last instruction
            for start in range(lo + (at - lo) % 16, at, 16):
                sass = disassemble(raw[start:end])
                if sass:
                    yield sass
                    break
            lo = end
        at = raw.find(EXIT, at + 16)

n = 0
def report(sass):
    global n
    n += 1
    open(f'{out}/kernel{n}.sass', 'w').write(re.sub(r' {2,}', ' ', sass))
    lines = [re.sub(r'/\*.*?\*/', '', l).strip().rstrip(';') for l in sass.splitlines()]
    ops = collections.Counter(w[1] if w[0].startswith('@') else w[0] for w in (l.split() for l in lines) if w and not w[0].startswith('.'))
    regs = max(int(x) for x in re.findall(r'\bR(\d+)\b', sass))
    print(f'kernel{n}: {sum(ops.values())} instructions, highest register R{regs};', ', '.join(f'{k} {v}' for k, v in ops.most_common(12)))

for entry in sorted(glob.glob(cache + '/**/*', recursive=True)):
    if not os.path.isfile(entry):
        continue
    data = open(entry, 'rb').read()
    if os.environ.get('SASS_FRAMES'):
        shutil.copy(entry, f"{os.environ['SASS_FRAMES']}/entry{len(os.listdir(os.environ['SASS_FRAMES']))}.bin")
    for sass in kernels(data):  # code stored uncompressed
        report(sass)
    at = data.find(b'\x28\xb5\x2f\xfd')  # zstd frame magic, its compressed length 8 bytes before
    while at >= 0:
        size, = struct.unpack_from('<I', data, at - 8)
        # most frames end 4 bytes past the length the entry gives, so zstd reports them
        # incomplete; it still writes their whole content to stdout
        raw = subprocess.run(['zstd', '-d', '-c'], input=data[at:at + size + 4], capture_output=True).stdout
        if os.environ.get('SASS_FRAMES'):  # keep every decompressed frame, for study
            open(f"{os.environ['SASS_FRAMES']}/frame{len(os.listdir(os.environ['SASS_FRAMES']))}.bin", 'wb').write(raw)
        for sass in kernels(raw):
            report(sass)
        at = data.find(b'\x28\xb5\x2f\xfd', at + 4)
if n == 0:
    sys.exit('no SASS found in the driver cache (is the disk cache on? is this an NVIDIA driver?)')
PY
