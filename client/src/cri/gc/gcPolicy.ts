/**
 * The kubelet's image GC policy (ImageGCPolicy in pkg/kubelet/images/image_gc_manager.go; the
 * KubeletConfiguration fields imageGCHighThresholdPercent, imageGCLowThresholdPercent,
 * imageMinimumGCAge, imageMaximumGCAge) and the checks the kubelet makes before using it.
 */
import { formatDuration } from './humanUnits';

export interface GcPolicy {
  /** Disk usage at or above this percentage starts the space pass. Whole number, 0–100. */
  readonly highThresholdPercent: number;
  /** The space pass frees down to this percentage. Whole number, 0–100, at most the high threshold. */
  readonly lowThresholdPercent: number;
  /** An image first seen less than this long ago is never removed for space. */
  readonly minAgeMs: number;
  /** An image unused for longer than this is removed whatever the disk usage; 0 turns that off. */
  readonly maxAgeMs: number;
}

/** The kubelet's defaults: 85 %, 80 %, 2 minutes, off. */
export const DEFAULT_GC_POLICY: GcPolicy = {
  highThresholdPercent: 85,
  lowThresholdPercent: 80,
  minAgeMs: 120_000,
  maxAgeMs: 0,
};

/**
 * Everything wrong with a policy, one sentence each; empty when the kubelet would accept it.
 * The threshold messages are the image GC manager's own (NewImageGCManager), which allows low ==
 * high; the age messages follow the kubelet configuration validation.
 */
export function validateGcPolicy(policy: GcPolicy): readonly string[] {
  const problems: string[] = [];
  const high = checkPercent('HighThresholdPercent', policy.highThresholdPercent, problems);
  const low = checkPercent('LowThresholdPercent', policy.lowThresholdPercent, problems);
  if (high && low && policy.lowThresholdPercent > policy.highThresholdPercent) {
    problems.push(
      `LowThresholdPercent ${policy.lowThresholdPercent} can not be higher than HighThresholdPercent ${policy.highThresholdPercent}`,
    );
  }
  const minAge = checkDuration('MinAge', policy.minAgeMs, problems);
  const maxAge = checkDuration('MaxAge', policy.maxAgeMs, problems);
  if (minAge && maxAge && policy.maxAgeMs > 0 && policy.maxAgeMs <= policy.minAgeMs) {
    problems.push(
      `MaxAge ${formatDuration(policy.maxAgeMs)} must be greater than MinAge ${formatDuration(policy.minAgeMs)} (or 0 to turn it off)`,
    );
  }
  return problems;
}

/**
 * The kubelet does not run image GC at all when the high threshold is 100 and MaxAge is off
 * (StartGarbageCollection in pkg/kubelet/kubelet.go).
 */
export function isGcDisabled(policy: GcPolicy): boolean {
  return policy.highThresholdPercent === 100 && policy.maxAgeMs === 0;
}

function checkPercent(name: string, value: number, problems: string[]): boolean {
  if (!Number.isInteger(value)) {
    problems.push(`invalid ${name} ${value}, must be a whole number`);
    return false;
  }
  if (value < 0 || value > 100) {
    problems.push(`invalid ${name} ${value}, must be in range [0-100]`);
    return false;
  }
  return true;
}

function checkDuration(name: string, milliseconds: number, problems: string[]): boolean {
  if (!Number.isFinite(milliseconds)) {
    problems.push(`invalid ${name} ${milliseconds}, must be a duration`);
    return false;
  }
  if (milliseconds < 0) {
    problems.push(`${name} ${formatDuration(milliseconds)} must not be negative`);
    return false;
  }
  return true;
}
