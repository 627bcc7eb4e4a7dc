import { FlowDefinitionError } from "./errors.ts";
import { currentBuilder } from "./flow-builder.ts";
import type { Ref } from "./ref.ts";

export interface ParameterOptions<T> {
  readonly default?: T;
  /** @default true when no default is given */
  readonly required?: boolean;
}

/**
 * A flow run's input, by name. Its value comes from `flow.run({ parameters })` or its default;
 * an unknown or missing required parameter is an error before any task runs.
 */
export function Parameter<T = unknown>(name: string, options: ParameterOptions<T> = {}): Ref<T> {
  if (typeof name !== "string" || !/^[A-Za-z_$][\w$.-]*$/.test(name))
    throw new FlowDefinitionError(
      `parameter name ${JSON.stringify(name)} is not valid; use letters, digits, '_', '-', '.' and start with a letter`,
    );
  const hasDefault = "default" in options;
  return currentBuilder(`Parameter('${name}')`).addParameter({
    name,
    default: options.default,
    hasDefault,
    required: options.required ?? !hasDefault,
  }) as Ref<T>;
}
