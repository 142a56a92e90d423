// The "Ask the application" form: an `rpc` to the application's backend (HOOK_RPC_URL), its
// answer shown under the form; the request and the reply also go to the event log as traffic.
import { byId, describeError, parsedJsonField, preview } from './dom.js';

export function wireRpcForm(getSwitchboard) {
  const form = byId('rpc-form');
  const result = byId('rpc-result');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sb = getSwitchboard();
    if (!sb) {
      result.textContent = 'Connect first.';
      return;
    }
    const method = byId('rpc-method').value.trim();
    const { data, problem } = parsedJsonField(byId('rpc-data').value);
    if (problem !== undefined) {
      result.textContent = problem;
      return;
    }
    result.textContent = 'Asking…';
    try {
      result.textContent = `Answer: ${preview(await sb.rpc(method, data), 500)}`;
    } catch (error) {
      result.textContent = `Failed: ${describeError(error)}`;
    }
  });
}
