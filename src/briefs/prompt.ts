// The brief-draft prompt, prompts/brief-draft/v1.md, loaded (hash-checked against prompts/versions.json) and rendered by
// the shared prompt registry. Every use goes through here.
import { loadPrompt } from '../prompts/registry'

export const BRIEF_PROMPT_NAME = 'brief-draft'
const VERSION = 1

const prompt = () => loadPrompt(BRIEF_PROMPT_NAME, VERSION)

/** '<name>/v<N>', stored as prompt_version with every model draft. */
export const BRIEF_PROMPT_VERSION = `${BRIEF_PROMPT_NAME}/v${VERSION}`

/** sha256 of the prompt file (part of every model draft's input hash). */
export function briefPromptHash(): string {
  return prompt().sha256
}

export async function renderBriefPrompt(vars: { need: string; quantities: string; references: string; navigation: string }): Promise<{ system: string; user: string }> {
  return prompt().render(vars)
}
