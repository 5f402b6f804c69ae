import { actionContract, type ActionName } from './registry';

/**
 * Whether a call may be sent again after it timed out, when the first attempt may still be
 * running (on a slow instance) or died with its instance: a read; a write that carries the param
 * it is idempotent on; a write whose contract says why a repeat is harmless. Not a write without
 * either: repeating it could do its work twice. A name no contract has is not repeated.
 */
export function isRepeatableCall(action: string, params: unknown): boolean {
  let contract;
  try {
    contract = actionContract(action as ActionName);
  } catch {
    return false;
  }
  if (contract.kind === 'read' || contract.repeatable !== undefined) return true;
  const key = contract.idempotentOn;
  return key !== undefined && (params as Record<string, unknown> | null)?.[key] != null;
}
