# bash completion for corag and crab-build-stores (installed as
# share/bash-completion/completions/{corag,crab-build-stores}; or `source` this file).
# Subcommands and options are read from the tools' own --help, so they never go stale.

# The words of a CLI11 help section ("Options:", "Subcommands:"): option names or subcommands.
_corag_help_words() {
  local help=$1 section=$2
  printf '%s\n' "$help" | awk -v section="$section" '
    /^[A-Za-z].*:$/ { inside = ($0 == section); next }
    inside && /^  [^ ]/ {
      n = split($1, names, ",")
      for (i = 1; i <= n; ++i) if (names[i] != "") print names[i]
    }'
}

_corag_complete() {
  local program=${COMP_WORDS[0]} current=${COMP_WORDS[COMP_CWORD]} previous=""
  ((COMP_CWORD > 0)) && previous=${COMP_WORDS[COMP_CWORD - 1]}
  COMPREPLY=()
  # Options that take a path: complete files.
  case $previous in
    --config | -c | --out | -o | --configs | --passages | --queries | --input | --checkpoint | \
      --predictions | --gold | --retrieval | --store | --index | --corpus | --reader | --retriever)
      mapfile -t COMPREPLY < <(compgen -f -- "$current")
      return 0
      ;;
  esac
  local subcommand="" i help
  if [[ $(basename -- "$program") == corag ]]; then
    for ((i = 1; i < COMP_CWORD; ++i)); do
      if [[ ${COMP_WORDS[i]} != -* ]]; then
        subcommand=${COMP_WORDS[i]}
        break
      fi
    done
  fi
  if [[ -n $subcommand ]]; then
    help=$("$program" "$subcommand" --help 2>/dev/null) || return 0
  else
    help=$("$program" --help 2>/dev/null) || return 0
  fi
  local words
  if [[ $current == -* ]]; then
    words=$(_corag_help_words "$help" "Options:")
  else
    words=$(_corag_help_words "$help" "Subcommands:")
    [[ -z $words ]] && { mapfile -t COMPREPLY < <(compgen -f -- "$current"); return 0; }
  fi
  mapfile -t COMPREPLY < <(compgen -W "$words" -- "$current")
}

complete -o filenames -F _corag_complete corag crab-build-stores
