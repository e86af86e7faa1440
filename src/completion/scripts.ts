// The scripts `kdisco completion bash|zsh|fish` prints. Each asks `kdisco __complete WORDS…` for the candidates of
// the word under the cursor (cobra's protocol, see engine.ts) and hands them to the shell; with no candidates and
// no ":4" directive (a file flag such as -f) the shell completes file names.
import type {SHELLS} from './engine.js'

const bash = `# bash completion for kdisco. Load it with:  source <(kdisco completion bash)
# or install it:  kdisco completion bash > /etc/bash_completion.d/kdisco
__kdisco_complete() {
    local line="\${COMP_LINE:0:COMP_POINT}" cur="\${COMP_WORDS[COMP_CWORD]}"
    local -a words
    # The words as the shell user typed them (bash splits at = and : too; kdisco's flags are --name=value).
    read -r -a words <<< "$line"
    [[ $line =~ [[:space:]]$ ]] && words+=("")
    local out
    out=$("\${words[0]}" __complete "\${words[@]:1}" 2>/dev/null) || return 0
    local directive=\${out##*:}
    local -a candidates=()
    local IFS=$'\\n' entry typed="\${words[\${#words[@]}-1]}"
    for entry in $out; do
        [[ $entry == :* ]] && continue
        entry=\${entry%%$'\\t'*}
        # bash replaces only what follows the last = or :, the candidate holds the whole word.
        [[ $typed != "$cur" && $entry == "\${typed%"$cur"}"* ]] && entry=\${entry#"\${typed%"$cur"}"}
        candidates+=("$entry")
    done
    if (( \${#candidates[@]} == 0 && (directive & 4) == 0 )); then
        COMPREPLY=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
    else
        COMPREPLY=("\${candidates[@]}")
    fi
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    return 0
}
complete -F __kdisco_complete kdisco
`

const zsh = `#compdef kdisco
# zsh completion for kdisco. Load it with:  source <(kdisco completion zsh)   (after compinit)
# or install it:  kdisco completion zsh > "\${fpath[1]}/_kdisco"
_kdisco() {
    local -a lines values descriptions
    local out directive entry
    out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${\${lines[-1]}#:}
    for entry in "\${(@)lines[1,-2]}"; do
        [[ -z $entry ]] && continue
        values+=("\${entry%%$'\\t'*}")
        if [[ $entry == *$'\\t'* ]]; then descriptions+=("\${entry%%$'\\t'*}  -- \${entry#*$'\\t'}"); else descriptions+=("\${entry}"); fi
    done
    if (( \${#values} )); then
        local -a nospace
        (( directive & 2 )) && nospace=(-S '')
        compadd -Q -l -d descriptions "\${nospace[@]}" -a values
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}
if [[ \${funcstack[1]} == _kdisco ]]; then _kdisco "$@"; else compdef _kdisco kdisco; fi
`

const fish = `# fish completion for kdisco. Load it with:  kdisco completion fish | source
# or install it:  kdisco completion fish > ~/.config/fish/completions/kdisco.fish
function __kdisco_complete
    set -l words (commandline -opc)
    set -l program $words[1]
    set -e words[1]
    set -l out ($program __complete $words (commandline -ct) 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\\n' $out
end
complete -c kdisco -f -a '(__kdisco_complete)'
`

export const completionScripts: Record<(typeof SHELLS)[number], string> = {bash, zsh, fish}
