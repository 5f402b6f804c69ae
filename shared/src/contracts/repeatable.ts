import { actionContract, type ActionName } from './registry';

type Contract = ReturnType<typeof actionContract>;

/** Each action's contract once looked up (undefined: no contract has it); callers name a few actions, each many times. */
const contractsByName = new Map<string, Contract | undefined>();

function contractOf(action: string): Contract | undefined {
  if (contractsByName.has(action)) return contractsByName.get(action);
  let contract: Contract | undefined;
  try {
    contract = actionContract(action as ActionName);
  } catch {
    contract = undefined;
  }
  contractsByName.set(action, contract);
  return contract;
}

/**
 * Whether a call may be sent again after it timed out, when the first attempt may still be
 * running (on a slow instance) or died with its instance: a read; a write that carries the param
 * it is idempotent on; a write whose contract says why a repeat is harmless. Not a write without
 * either: repeating it could do its work twice. A name no contract has is not repeated.
 */
export function isRepeatableCall(action: string, params: unknown): boolean {
  const contract = contractOf(action);
  if (!contract) return false;
  if (contract.kind === 'read' || contract.repeatable !== undefined) return true;
  const key = contract.idempotentOn;
  return key !== undefined && (params as Record<string, unknown> | null)?.[key] != null;
}
