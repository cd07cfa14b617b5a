"""Shell completion: what TAB offers, and the bash, zsh and fish scripts that ask for it.

Every TAB runs ``actcli`` with ``_ACTCLI_COMPLETE=bash|zsh|fish`` set: the words before the
cursor come as arguments (bash: as COMP_LINE and COMP_POINT, since bash splits words at ':' and
'='), and the candidates go to stdout, one per line. The scripts are thin: they ask, then add
no space after a candidate ending in '=', ':' or ',' (more follows), and fall back to the
shell's own file completion for FILE arguments. Nothing changes in the user's shell beyond the
one completion function (bash's COMP_WORDBREAKS is read, never written).

What is offered: subcommands, options (with the activation's own parameters as ``--alpha``),
choices (``--format``, ``--dtype``, ``--kink``, ``--on-error``), activation names and aliases
matched without case, '-' or '_' (``LeakyR``, ``leaky-``), parameter names after ``elu:``
or after a value (``hardtanh:min_val=-2:``), the next activation after ``,``.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from actcli.registry import ACTIVATIONS, get, key_of

FILES = "\x01files"  # tells the script to complete file names
SHELLS = ("bash", "zsh", "fish")
NO_SPACE = ("=", ":", ",")
NUMBER_LIKE = re.compile(r"-(?:\d|\.\d|inf|nan)", re.IGNORECASE)
ACTIVATION_COMMANDS = ("apply", "grad", "table", "plot", "info", "explain", "check")
Candidate = tuple[str, str]  # (value, description)


def activations(incomplete: str) -> list[Candidate]:
    """Names and aliases for the last activation of ``incomplete`` (``relu,el`` -> ``relu,elu``);
    after ``NAME:``, its parameter names (``elu:al`` -> ``elu:alpha=``)."""
    head, comma, last = incomplete.rpartition(",")
    prefix = head + comma
    if ":" in last:
        given, _, partial = last.rpartition(":")
        try:
            act = get(given.split(":")[0])
        except LookupError:
            return []
        used = {item.partition("=")[0] for item in given.split(":")[1:]}
        return [(f"{prefix}{given}:{p.name}=", p.doc) for p in act.parameters
                if p.name.startswith(partial) and p.name not in used]
    typed = key_of(last)
    hyphens = "-" in last and "_" not in last
    spellings: dict[str, list[str]] = {}  # per name, its spellings that match
    described: dict[str, str] = {}
    for act in ACTIVATIONS:
        for spelling in (act.name, *act.aliases):
            key = key_of(spelling)
            # 'leaky-' wants more than 'leaky': a trailing separator asks for a longer name.
            if key.startswith(typed) and not (key == typed and last.endswith(("-", "_"))):
                spellings.setdefault(key, []).append(spelling.replace("_", "-") if hyphens else spelling)
                described[key] = act.description
    # One candidate per name: a spelling that extends what was typed (fish keeps only those).
    return [(prefix + next((s for s in shown if s.lower().startswith(last.lower())), shown[0]),
             described[key]) for key, shown in spellings.items()]


def _options(command: Any) -> list[Any]:
    return [p for p in command.params if getattr(p, "opts", None) and p.param_type_name == "option"]


def _takes_value(option: Any) -> bool:
    return not option.is_flag and not option.count


def _first_line(text: str | None) -> str:
    sentence = (text or "").strip().split(". ")[0].split("\n")[0]
    return sentence if len(sentence) <= 60 else sentence[:57] + "..."


def candidates(root: Any, words: list[str], incomplete: str) -> list[Candidate]:
    """What TAB offers for ``incomplete`` after ``words`` (the words after ``actcli``)."""
    command, pending = None, None
    positionals: list[str] = []
    rest = iter(words)
    for word in rest:
        if command is None:
            if not word.startswith("-"):
                command = root.get_command(None, word)
                if command is None:
                    return []
        elif word == "--":
            positionals.extend(rest)
        elif word.startswith("-") and not NUMBER_LIKE.match(word):
            name, equals, _ = word.partition("=")
            option = next((o for o in _options(command) if name in (*o.opts, *o.secondary_opts)), None)
            # an unknown --NAME is an activation's parameter, which takes a value
            if (_takes_value(option) if option is not None else name.startswith("--")) and not equals:
                value = next(rest, None)
                if value is None:
                    pending = option or name  # its value is being typed
        else:
            positionals.append(word)
    if command is None:
        if incomplete.startswith("-"):
            return [(o, _first_line(p.help)) for p in _options(root) for o in p.opts
                    if o.startswith(incomplete)]
        return [(name, root.get_command(None, name).get_short_help_str(60))
                for name in root.list_commands(None) if name.startswith(incomplete)]
    if incomplete.startswith("--") and "=" in incomplete:
        name, _, value = incomplete.partition("=")
        option = next((o for o in _options(command) if name in o.opts), None)
        return [(f"{name}={v}", d) for v, d in _values(option, value, positionals)] if option else []
    if pending is not None:
        return _values(pending, incomplete, positionals)
    if incomplete.startswith("-") and not NUMBER_LIKE.match(incomplete):
        offered = [(o, _first_line(p.help)) for p in _options(command) for o in (*p.opts, *p.secondary_opts)
                   if o.startswith(incomplete) and (o.startswith("--") or incomplete == "-")]
        return offered + [(f"--{p.name.replace('_', '-')}", p.doc) for p in _given_parameters(
            command.name, positionals) if f"--{p.name.replace('_', '-')}".startswith(incomplete)]
    if not positionals and command.name in ACTIVATION_COMMANDS:
        return activations(incomplete)
    if not positionals and command.name == "completion":
        return [(s, f"the {s} script") for s in SHELLS if s.startswith(incomplete)]
    return []


def _given_parameters(command: str, positionals: list[str]) -> list[Any]:
    """The parameters of the activation(s) given, for --NAME VALUE."""
    if command not in ACTIVATION_COMMANDS or not positionals:
        return []
    out: list[Any] = []
    for part in positionals[0].split(","):
        try:
            out.extend(get(part.split(":")[0]).parameters)
        except LookupError:
            continue
    return list({p.name: p for p in out}.values())


def _values(option: Any, incomplete: str, positionals: list[str]) -> list[Candidate]:
    """Values of an option: its choices, file names, or NAME= for --param."""
    if isinstance(option, str) or option is None:
        return []
    if option.name in ("input", "output"):
        return [(FILES, "")]
    if option.name == "param":
        return [(f"{p.name}=", p.doc) for p in _given_parameters("apply", positionals)
                if p.name.startswith(incomplete)]
    choices = getattr(option.type, "choices", None) or ()
    return [(str(c), "") for c in choices if str(c).startswith(incomplete)]


# --- the protocol ------------------------------------------------------------------------------


def _split(line: str) -> list[str]:
    """Words of a partial command line, quotes removed (an open quote is closed first)."""
    for closing in ("", '"', "'"):
        try:
            words = shlex.split(line + closing)
        except ValueError:
            continue
        return [*words, ""] if line[-1:].isspace() or not line else words
    return line.split()


def respond(shell: str, root: Any, argv: list[str], out: Any) -> None:
    """Answer one TAB for ``shell``."""
    if shell == "bash":
        line = os.environ.get("COMP_LINE", "")
        point = int(os.environ.get("COMP_POINT", len(line)))
        words = _split(line[:point])[1:]
    else:
        words = argv
    before, incomplete = words[:-1], words[-1] if words else ""
    from actcli.i18n import _

    offered = candidates(root, before, incomplete)
    if shell != "bash":  # descriptions, in the user's language (the help texts are translated)
        offered = [(value, _(description)) for value, description in offered]
    if offered[:1] == [(FILES, "")]:
        out.write(FILES + "\n")
        return
    if shell == "bash":
        # bash replaces only the part of the word after its last word-break character.
        breaks = os.environ.get("COMP_WORDBREAKS", "\"'><=;|&(:")
        cut = max((incomplete.rfind(c) for c in breaks if c.strip()), default=-1) + 1
        out.writelines(value[cut:] + "\n" for value, _ in offered)
    elif shell == "zsh":  # the value, and how the list shows it: aligned, with its description
        width = max((len(v) for v, _ in offered), default=0)
        out.writelines(f"{v}\t{v:<{width}}  -- {d}\n" if d else f"{v}\t{v}\n" for v, d in offered)
    else:
        out.writelines(f"{value}\t{description}\n" for value, description in offered)


# --- the scripts ---------------------------------------------------------------------------------

BASH = r'''# bash completion for actcli (actcli completion bash)
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
'''

ZSH = r'''#compdef actcli
# zsh completion for actcli (actcli completion zsh)
_actcli() {
    local -a reply values descriptions glued glued_descriptions
    local line value
    reply=("${(@f)$(_ACTCLI_COMPLETE=zsh command actcli "${(@)words[2,CURRENT-1]}" "$PREFIX" 2>/dev/null)}")
    if [[ ${reply[1]} == $'\001files' ]]; then
        _files
        return
    fi
    for line in $reply; do
        [[ -z $line ]] && continue
        value=${line%%$'\t'*}
        if [[ $value == *[=:,] ]]; then
            glued+=("$value"); glued_descriptions+=("${line#*$'\t'}")
        else
            values+=("$value"); descriptions+=("${line#*$'\t'}")
        fi
    done
    (( ${#glued} )) && compadd -U -S '' -l -d glued_descriptions -- "${glued[@]}"
    (( ${#values} )) && compadd -U -l -d descriptions -- "${values[@]}"
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _actcli "$@"
else
    compdef _actcli actcli
fi
'''

FISH = r'''# fish completion for actcli (actcli completion fish)
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
'''

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}
# Where --install-completion puts each script, and the line that makes the shell read it.
TARGETS = {
    "bash": ("~/.local/share/bash-completion/completions/actcli", "~/.bashrc",
             "source ~/.local/share/bash-completion/completions/actcli"),
    "zsh": ("~/.zfunc/_actcli", "~/.zshrc", "fpath+=(~/.zfunc); autoload -Uz compinit && compinit"),
    "fish": ("~/.config/fish/completions/actcli.fish", None, None),
}


def current_shell() -> str | None:
    """The shell actcli runs under: the parent process's name, else $SHELL."""
    try:
        parent = Path(f"/proc/{os.getppid()}/comm").read_text().strip()
    except OSError:
        parent = ""
    for name in (parent, Path(os.environ.get("SHELL", "")).name):
        if name.lstrip("-") in SHELLS:
            return name.lstrip("-")
    return None


def install(shell: str) -> str:
    """Write the script where ``shell`` finds it; returns what was done, for the user."""
    script, rc, line = TARGETS[shell]
    path = Path(script).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCRIPTS[shell])
    done = f"wrote {path}"
    if rc is not None and line is not None:
        rc_path = Path(rc).expanduser()
        text = rc_path.read_text() if rc_path.exists() else ""
        if line not in text:
            rc_path.write_text(text + ("" if text.endswith("\n") or not text else "\n") + line + "\n")
            done += f" and added to {rc_path}: {line}"
    return done + f"; open a new {shell} to use it"


def main(shell: str, root: Any) -> None:
    respond(shell, root, sys.argv[1:], sys.stdout)
