# fish completion for actcli (actcli completion fish)
function __actcli_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    set -l reply (_ACTCLI_COMPLETE=fish command actcli $words 2>/dev/null)
    if test "$reply[1]" = \001files
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $reply
    end
end
complete -c actcli -f -a '(__actcli_complete)'
