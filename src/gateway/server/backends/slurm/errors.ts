import { GatewayError } from "../../errors.ts";

/**
 * Thrown when a Slurm command (sbatch, squeue, scancel, scontrol) fails; the message carries
 * Slurm's own error text.
 */
export class SlurmCommandError extends GatewayError {
  constructor(
    readonly command: string,
    readonly exitCode: number | string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(
      "FG_GATEWAY_SLURM_COMMAND",
      500,
      `${command} failed (exit ${exitCode}): ${stderr.trim() || "no output"}; check SLURM_CONF and that slurmctld is running`,
      options,
    );
  }
}
