#!/usr/bin/env bash
# What the NVIDIA Vulkan driver made of one block8 matmul configuration: times it once with
# the driver's shader disk cache pointed at a fresh folder, then finds the SASS in the cache
# entry (zstd frames; the code ends at the first EXIT) and disassembles it with nvdisasm.
# Prints the instruction mix and the highest register used (occupancy: registers × threads
# per workgroup against the SM's 65,536).
#
#   CONFIG='{"TX":16,"TY":8,"BK":16,"prefetch":false}' bench/cuda/driver_sass.sh CLI_BUNDLE OUT.sass [SHAPE]
#
# Needs nvdisasm (CUDA toolkit) and zstd on PATH (the device machine has no zstd: carry a
# binary, with its libzstd.so.1 on LD_LIBRARY_PATH). Found this way (2026-11-30): the k loop
# ran as a loop with an index computation and a bounds clamp per shared-memory read.
set -euo pipefail
[ $# -ge 2 ] && [ -n "${CONFIG:-}" ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
CLI=$1; OUT=$2; SHAPE=${3:-4096²}
CACHE=$(mktemp -d)
__GL_SHADER_DISK_CACHE=1 __GL_SHADER_DISK_CACHE_PATH=$CACHE __GL_SHADER_DISK_CACHE_SKIP_CLEANUP=1 \
  ICL_MATMUL_KERNELS=none ICL_MATMUL_CONFIGS="[$CONFIG]" ICL_MATMUL_SHAPES="$SHAPE" \
  node "$CLI/cli.mjs" bench --json --only matmul 2>&1 >/dev/null | grep "GFLOP\|rror" || true
python3 - "$CACHE" "$OUT" <<'PY'
import collections, glob, re, struct, subprocess, sys, tempfile, os
cache, out = sys.argv[1:3]
EXIT = bytes.fromhex('4d79000000000000')  # sm_90 EXIT, low 64 bits
tmp = tempfile.mkdtemp()
for entry in sorted(glob.glob(cache + '/**/*.bin', recursive=True)):
    data = open(entry, 'rb').read()
    at = data.find(b'\x28\xb5\x2f\xfd')  # zstd frame magic, its compressed length 8 bytes before
    while at >= 0:
        size, = struct.unpack_from('<I', data, at - 8)
        open(f'{tmp}/f.zst', 'wb').write(data[at:at + size])
        if subprocess.run(['zstd', '-d', '-f', '-q', f'{tmp}/f.zst', '-o', f'{tmp}/f'], capture_output=True).returncode == 0:
            raw = open(f'{tmp}/f', 'rb').read()
            end = raw.find(EXIT)
            # the code's start is not marked: the first 16-byte slot from which nvdisasm
            # decodes everything up to EXIT
            for start in range(end % 16, end, 16) if end >= 0 else []:
                open(f'{tmp}/code.bin', 'wb').write(raw[start:end + 16])
                r = subprocess.run(['nvdisasm', '-b', 'SM90', f'{tmp}/code.bin'], capture_output=True, text=True)
                if r.returncode == 0:
                    open(out, 'w').write(r.stdout)
                    lines = [re.sub(r'/\*.*?\*/', '', l).strip().rstrip(';') for l in r.stdout.splitlines()]
                    ops = collections.Counter(w[1] if w[0].startswith('@') else w[0] for w in (l.split() for l in lines) if w and not w[0].startswith('.'))
                    regs = max(int(x) for x in re.findall(r'\bR(\d+)\b', r.stdout))
                    print(f'{out}: {sum(ops.values())} instructions, highest register R{regs};', ', '.join(f'{k} {v}' for k, v in ops.most_common(12)))
                    sys.exit(0)
        at = data.find(b'\x28\xb5\x2f\xfd', at + 4)
sys.exit('no SASS found in the driver cache (is the disk cache on? is this an NVIDIA driver?)')
PY
