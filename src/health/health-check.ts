/** A dependency that readiness depends on (Redis, once configured); `probe` rejects when it does not answer. */
export interface HealthCheck {
  name: string;
  probe(): Promise<void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
