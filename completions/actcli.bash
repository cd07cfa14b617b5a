# bash completion for actcli (actcli completion bash)
_actcli() {
    local IFS=$'\n'
    local -a reply
    reply=($(COMP_LINE="$COMP_LINE" COMP_POINT="$COMP_POINT" COMP_WORDBREAKS="$COMP_WORDBREAKS" \
             _ACTCLI_COMPLETE=bash command actcli 2>/dev/null))
    if [[ ${reply[0]} == $'\001files' ]]; then
        compopt -o default
        COMPREPLY=()
        return 0
    fi
    COMPREPLY=("${reply[@]}")
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[=:,] ]]; then
        compopt -o nospace
    fi
}
complete -F _actcli actcli
