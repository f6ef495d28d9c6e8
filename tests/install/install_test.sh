#!/usr/bin/env bash
# Installs a built corag into a temporary prefix and checks that it works from there:
#   install_test.sh BUILD_DIR SOURCE_DIR
# - the layout: tools, SentencePiece plugin, static libraries, headers, CMake package, man pages
#   (when help2man is installed), bash completion;
# - the installed tools run, and load the plugin from the install, not from the build tree;
# - a consumer project (tests/install/consumer) builds with find_package(corag) and runs;
# - the bash completion completes subcommands and options;
# - `cpack -G DEB` makes a .deb holding the same tree, whose tools run once unpacked.
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/corag-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() {
  echo "install test: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || fail "cmake --install failed: $(cat "$work/install.log")"
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
for path in bin/corag bin/crab-build-stores "$libdir/corag/libcorag_sentencepiece.so" "$libdir/libcorag_util.a" \
  "$libdir/libcorag_demo.a" include/corag/train/trainer.hpp include/corag/config/experiment_config.hpp \
  "$libdir/cmake/corag/corag-config.cmake" "$libdir/cmake/corag/corag-config-version.cmake" \
  "$libdir/cmake/corag/corag-targets.cmake" share/bash-completion/completions/corag \
  share/bash-completion/completions/crab-build-stores; do
  [ -e "$prefix/$path" ] || fail "missing $path under the prefix"
done
if command -v help2man >/dev/null; then
  for page in corag corag-train corag-eval corag-demo crab-build-stores; do
    [ -s "$prefix/share/man/man1/$page.1" ] || fail "missing man page $page.1"
  done
  grep -q 'resume' "$prefix/share/man/man1/corag-train.1" || fail "corag-train.1 lacks corag train's options"
fi

"$prefix/bin/corag" --version | grep -q "corag" || fail "the installed corag does not run"
# A command that needs SentencePiece: the plugin must come from the prefix (LD_DEBUG lists what
# the dynamic loader opens), though the build tree's is still there.
echo '{"question": "Where is the Eiffel Tower?", "answers": ["Paris"], "passages": [{"title": "Eiffel Tower", "text": "The tower is in Paris."}]}' >"$work/question.jsonl"
LD_DEBUG=files "$prefix/bin/corag" -q generate --reader "$source_dir/tests/data/hf/t5" --input "$work/question.jsonl" \
  --out "$work/answers.jsonl" --max-new-tokens 2 --threads 1 2>"$work/loader.log" >/dev/null ||
  fail "installed corag generate failed: $(grep -v '^ *[0-9]*:' "$work/loader.log" | tail -5)"
grep -q "file=$prefix/$libdir/corag/libcorag_sentencepiece.so" "$work/loader.log" ||
  fail "the installed corag did not load the installed plugin: $(grep sentencepiece "$work/loader.log" | head -3)"

# find_package(corag) from a C++ project; the relocated prefix names its plugin by environment.
cmake -S "$source_dir/tests/install/consumer" -B "$work/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log" 2>&1 || fail "consumer configure failed: $(tail -20 "$work/consumer.log")"
cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 || fail "consumer build failed: $(tail -20 "$work/consumer.log")"
output=$(CORAG_SENTENCEPIECE_PLUGIN="$prefix/$libdir/corag/libcorag_sentencepiece.so" \
  "$work/consumer/consumer" "$source_dir/configs/crab64.yaml" "$source_dir/tests/data/hf/t5/spiece.model")
expected="shots 64
mode collaborative
em 1
decoded The Eiffel Tower is in Paris."
[ "$(printf '%s\n' "$output" | grep -v '^tokens ')" = "$expected" ] || fail "consumer printed: $output"

# Bash completion, as bash-completion calls it.
completions=$(PATH="$prefix/bin:$PATH" bash -c '
  source "$1/share/bash-completion/completions/corag"
  COMP_WORDS=(corag tr); COMP_CWORD=1; _corag_complete; echo "${COMPREPLY[*]}"
  COMP_WORDS=(corag train --res); COMP_CWORD=2; _corag_complete; echo "${COMPREPLY[*]}"
  COMP_WORDS=(crab-build-stores --con); COMP_CWORD=1; _corag_complete; echo "${COMPREPLY[*]}"' _ "$prefix")
[ "$completions" = "train
--resume
--config" ] || fail "completion gave: $completions"

# The Debian package.
(cd "$build" && cpack -G DEB -B "$work/package" >"$work/cpack.log" 2>&1) || fail "cpack failed: $(tail -20 "$work/cpack.log")"
deb=$(ls "$work"/package/corag_*.deb) || fail "cpack wrote no .deb"
contents=$(dpkg-deb -c "$deb")
install_prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
for path in bin/corag "$libdir/corag/libcorag_sentencepiece.so" include/corag/train/trainer.hpp \
  "$libdir/cmake/corag/corag-config.cmake"; do
  grep -q "\.$install_prefix/$path\$" <<<"$contents" || fail "the .deb lacks $install_prefix/$path"
done
dpkg-deb -f "$deb" Depends | grep -q "libc6" || fail "the .deb names no shared-library dependencies"
dpkg-deb -x "$deb" "$work/unpacked"
"$work/unpacked$install_prefix/bin/corag" --version | grep -q corag || fail "the packaged corag does not run"
echo "install test: prefix, plugin, find_package consumer, completion and .deb all work"
