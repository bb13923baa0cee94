// SPDX-License-Identifier: Apache-2.0
/**
 * Shell completion. `pond completion bash|zsh|fish` prints a script that, on each TAB, runs
 * `pond __complete --shell SHELL -- WORD...` with the words typed after `pond` (the last
 * one being the word under the cursor). That prints one candidate per line, read from the
 * same commander tree that parses the command line: commands, their options, an option's
 * choices, help topics, and pond paths when the word starts with `/`. No candidate means
 * the shell's own file completion.
 */

import type { Command, Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One completion: the word, and for zsh and fish a description. */
export interface Candidate {
  readonly word: string;
  readonly description?: string;
}

/** Lists a pond directory for path completion: entry paths, directories ending in `/`. */
export type PathLister = (dir: string, pondDir: string | undefined) => Promise<string[]>;

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

function optionFor(command: Command, word: string): Option | undefined {
  const name = word.split('=')[0];
  return command.options.find((o) => o.long === name || o.short === name);
}

function commandCandidates(program: Command): Candidate[] {
  return visibleCommands(program).map((c) => ({
    word: c.name(),
    description: c.summary() || c.description(),
  }));
}

function visibleCommands(program: Command): Command[] {
  // commander keeps `hidden` private; the hidden commands are the ones named __*.
  return program.commands.filter((c) => !c.name().startsWith('__'));
}

function optionCandidates(command: Command): Candidate[] {
  return command.options
    .filter((o) => !o.hidden)
    .flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined))
    .map((word) => ({ word, description: optionFor(command, word)?.description ?? '' }));
}

/**
 * The candidates for the last of `words` (the words after `pond`). `paths` lists pond
 * directories; it is only called for a word that starts with `/`.
 */
export async function complete(
  program: Command,
  words: readonly string[],
  paths: PathLister,
): Promise<Candidate[]> {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  let command: Command | undefined;
  let pondDir: string | undefined;
  const positionals: string[] = [];
  let pending: Option | undefined;
  for (const word of before) {
    const scope = command ?? program;
    if (pending) {
      if (pending.long === '--pond') pondDir = word;
      pending = undefined;
      continue;
    }
    if (word.startsWith('-')) {
      const option = optionFor(scope, word) ?? optionFor(program, word);
      if (option?.long === '--pond' && word.includes('=')) pondDir = word.split('=')[1];
      if (option && takesValue(option) && !word.includes('=')) pending = option;
      continue;
    }
    if (!command) {
      command = program.commands.find((c) => c.name() === word || c.aliases().includes(word));
      if (!command) return [];
      continue;
    }
    positionals.push(word);
  }
  const scope = command ?? program;
  const matching = (list: Candidate[]) => list.filter((c) => c.word.startsWith(current));
  if (pending) {
    return matching((pending.argChoices ?? []).map((word) => ({ word })));
  }
  if (current.startsWith('-')) {
    return matching([...optionCandidates(scope), ...(command ? optionCandidates(program) : [])]);
  }
  if (!command) {
    return matching(commandCandidates(program));
  }
  if (command.name() === 'help' && positionals.length === 0) {
    return matching([
      ...commandCandidates(program),
      { word: 'exit-codes', description: 'exit statuses and error codes' },
    ]);
  }
  if (command.name() === 'completion' && positionals.length === 0) {
    return matching(SHELLS.map((word) => ({ word })));
  }
  if (current.startsWith('/')) {
    const dir = current.slice(0, current.lastIndexOf('/') + 1);
    const listed = await paths(dir, pondDir).catch(() => []);
    return matching(listed.map((word) => ({ word })));
  }
  return [];
}

/** The lines `pond __complete` prints: `word`, or for fish `word<TAB>description`. */
export function formatCandidates(candidates: readonly Candidate[], shell: Shell): string {
  const lines = candidates.map(({ word, description }) => {
    const text = description?.split('\n')[0];
    if (!text || shell === 'bash') return word;
    return shell === 'fish' ? `${word}\t${text}` : `${word.replaceAll(':', '\\:')}:${text}`;
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const BASH = `# pond completion for bash. Load it with:  source <(pond completion bash)
_pond_complete() {
  local IFS=$'\\n'
  local candidates
  candidates=$(pond __complete --shell bash -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [ -z "$candidates" ]; then
    compopt -o default 2>/dev/null
    COMPREPLY=()
    return 0
  fi
  COMPREPLY=($candidates)
  # a directory is completed further, not ended with a space
  [[ \${#COMPREPLY[@]} -eq 1 && \${COMPREPLY[0]} == */ ]] && compopt -o nospace 2>/dev/null
  return 0
}
complete -F _pond_complete pond
`;

const ZSH = `#compdef pond
# pond completion for zsh. Load it with:  source <(pond completion zsh)
# (or save it as _pond in a directory of $fpath)
_pond() {
  local -a candidates
  candidates=("\${(@f)$(pond __complete --shell zsh -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ -z "\${candidates[1]}" ]]; then
    _files
    return
  fi
  if [[ "\${candidates[1]}" == */ ]]; then
    compadd -S '' -- "\${candidates[@]}"
  else
    _describe 'pond' candidates
  fi
}
if [[ "\${funcstack[1]}" == _pond ]]; then
  _pond "$@"
else
  compdef _pond pond
fi
`;

const FISH = `# pond completion for fish. Load it with:  pond completion fish | source
# (or save it as ~/.config/fish/completions/pond.fish)
function __pond_complete
    set -l tokens (commandline -opc) (commandline -ct)
    set -l candidates (pond __complete --shell fish -- $tokens[2..-1] 2>/dev/null)
    if test (count $candidates) -gt 0
        printf '%s\n' $candidates
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c pond -f -a '(__pond_complete)'
`;

/** The completion script for a shell. */
export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell];
}
