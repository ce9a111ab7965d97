#!/usr/bin/env bash
# Builds the libFuzzer binary of tools/fuzz/yi-fuzz (release, with AddressSanitizer and coverage)
# into .build-fuzz/ (ignored by git); the normal .build/ is not touched.
# Prints the binary's path. Linux only (swiftc -sanitize=fuzzer).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product yi-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DYI_FUZZ -Xswiftc -use-ld=lld -Xcc -fsanitize=fuzzer-no-link,address >&2
echo "$PWD/.build-fuzz/release/yi-fuzz"
