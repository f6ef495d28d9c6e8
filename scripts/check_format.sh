#!/usr/bin/env bash
# Fails listing every tracked C++ file that the committed .clang-format would change (Debian's
# clang-format; scripts/setup.sh installs it). Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unformatted=()
while IFS= read -r file; do
  clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done < <(git ls-files '*.cpp' '*.hpp')
if [ "${#unformatted[@]}" -ne 0 ]; then
  printf 'not formatted by .clang-format (%s files):\n' "${#unformatted[@]}" >&2
  printf '  %s\n' "${unformatted[@]}" >&2
  exit 1
fi
echo "format: every tracked C++ file follows .clang-format"
