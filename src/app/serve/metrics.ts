/**
 * The Prometheus metrics of `npc serve` (docs/serving.md "Metrics"): a ServeObserver that keeps its figures
 * in its own prom-client registry (never the global one, so two servers in one process keep theirs apart)
 * and writes them in the Prometheus text format. Every npc metric is named `npc_…`; the default process and
 * Node.js metrics keep their standard names (`process_…`, `nodejs_…`) so that existing dashboards read them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServedModelInfo, ServeObserver } from './observer.js';
import { RollingDrift, type RollingDriftOptions } from './rolling-drift.js';

export type ServeMetricsOptions = RollingDriftOptions;

/** Request latency buckets, in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Nearest-distance buckets: NCDs lie in 0..1 and a little above 1. */
export const DISTANCE_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1, 1.05, 1.1, 1.2];

export class ServeMetrics implements ServeObserver {
  /** The registry every metric of this observer is in. */
  readonly registry = new Registry();
  private readonly drift: RollingDrift;
  private readonly driftGauges: Gauge<string>[];
  private driftShown = false;
  private readonly requests: Counter<'route' | 'status'>;
  private readonly duration: Histogram<'route'>;
  private readonly inFlight: Gauge;
  private readonly queue: Gauge;
  private readonly predictions: Counter<'label'>;
  private readonly abstentions: Counter;
  private readonly distance: Histogram;
  private readonly modelInfo: Gauge<'name' | 'version' | 'sha256'>;
  private readonly workerRestarts: Counter;
  private readonly switchFailures: Counter<'name'>;
  private readonly shadowComparisons: Counter;
  private readonly shadowAgreements: Counter;
  private readonly shadowDisagreements: Counter<'served' | 'shadow'>;
  private readonly shadowDrops: Counter;
  private readonly shadowInfo: Gauge<'name' | 'version' | 'sha256'>;

  constructor(options: ServeMetricsOptions = {}) {
    this.drift = new RollingDrift(options);
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'npc_requests_total',
      help: 'HTTP requests answered, by route (its URL pattern) and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'npc_request_duration_seconds',
      help: 'Time from accepting a request to answering it, in seconds, by route.',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({ name: 'npc_requests_in_flight', help: 'Requests accepted and not yet answered.', registers });
    this.queue = new Gauge({ name: 'npc_queue_texts', help: 'Texts waiting for a search worker.', registers });
    this.predictions = new Counter({
      name: 'npc_predictions_total',
      help: 'Texts answered with a label, by the label (its JSON text).',
      labelNames: ['label'],
      registers,
    });
    this.abstentions = new Counter({
      name: 'npc_abstentions_total',
      help: 'Texts npc abstained on (answered without a label).',
      registers,
    });
    this.distance = new Histogram({
      name: 'npc_nearest_distance',
      help: 'Normalized compression distance from each classified text to its nearest training row.',
      buckets: DISTANCE_BUCKETS,
      registers,
    });
    this.modelInfo = new Gauge({
      name: 'npc_model_info',
      help: 'The model answering requests: its name, repository version (empty when not from a repository) and sha256; always 1.',
      labelNames: ['name', 'version', 'sha256'],
      registers,
    });
    this.workerRestarts = new Counter({
      name: 'npc_worker_restarts_total',
      help: 'Search workers that died and were replaced.',
      registers,
    });
    this.switchFailures = new Counter({
      name: 'npc_model_switch_failures_total',
      help: 'Versions an alias moved to that were not switched to (damaged, another engine, missing), counted once per cause; the old version kept answering.',
      labelNames: ['name'],
      registers,
    });
    this.shadowComparisons = new Counter({
      name: 'npc_shadow_comparisons_total',
      help: 'Texts answered by the served model and classified by the shadow model too (--shadow), after the response.',
      registers,
    });
    this.shadowAgreements = new Counter({
      name: 'npc_shadow_agreements_total',
      help: 'Compared texts on which the shadow model gave the label the served model answered (abstaining on both counts as agreeing).',
      registers,
    });
    this.shadowDisagreements = new Counter({
      name: 'npc_shadow_disagreements_total',
      help: 'Compared texts on which the two models differ, by the served and the shadow label (JSON text; null: abstained).',
      labelNames: ['served', 'shadow'],
      registers,
    });
    this.shadowDrops = new Counter({
      name: 'npc_shadow_dropped_total',
      help: 'Answered texts the shadow model did not classify: its queue was full, or its search failed.',
      registers,
    });
    this.shadowInfo = new Gauge({
      name: 'npc_shadow_model_info',
      help: 'The shadow model (--shadow): its name, repository version (empty when not from a repository) and sha256; always 1.',
      labelNames: ['name', 'version', 'sha256'],
      registers,
    });

    // The rolling drift check, computed when scraped (once per change of the window); registered only while
    // the served model has reference distributions. A test's gauges are absent until the window is full.
    const drift = this.drift;
    this.driftGauges = [
      new Gauge({
        name: 'npc_drift_window_size',
        help: 'Predictions the rolling drift check compares: the tests run when the window holds this many.',
        registers: [],
        collect() {
          this.set(drift.size);
        },
      }),
      new Gauge({
        name: 'npc_drift_window_predictions',
        help: 'Predictions in the drift window now (since the served model started serving, at most npc_drift_window_size).',
        registers: [],
        collect() {
          this.set(drift.result().filled);
        },
      }),
      new Gauge({
        name: 'npc_drift_test_level',
        help: 'The p-value below which a drift test alarms: alpha / 3, as npc drift.',
        registers: [],
        collect() {
          this.set(drift.result().level);
        },
      }),
      new Gauge({
        name: 'npc_drift_p_value',
        help: 'p-value of each drift test over the full window (absent before the window is full).',
        labelNames: ['test'],
        registers: [],
        collect() {
          const { ks, labels } = drift.result();
          this.reset();
          if (ks) this.set({ test: 'nearest_distance' }, ks.pValue);
          if (labels) this.set({ test: 'predicted_labels' }, labels.pValue);
        },
      }),
      new Gauge({
        name: 'npc_drift_statistic',
        help: 'Statistic of each drift test over the full window: KS D on the nearest distances, chi-square on the predicted labels.',
        labelNames: ['test'],
        registers: [],
        collect() {
          const { ks, labels } = drift.result();
          this.reset();
          if (ks) this.set({ test: 'nearest_distance' }, ks.d);
          if (labels) this.set({ test: 'predicted_labels' }, labels.chi2);
        },
      }),
      new Gauge({
        name: 'npc_drift_alarm',
        help: 'Whether npc drift would detect drift on the window: 1 when a test p-value is below npc_drift_test_level, 0 otherwise and before the window is full.',
        registers: [],
        collect() {
          this.set(drift.result().alarm ? 1 : 0);
        },
      }),
    ];
    collectDefaultMetrics({ register: this.registry });
    // Gauges prom-client names with `_total` (a counter's suffix), which promtool rejects; the same counts
    // by type stay (nodejs_active_handles, nodejs_active_requests, nodejs_active_resources).
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(name);
  }

  modelServed(model: ServedModelInfo): void {
    this.modelInfo.reset();
    this.modelInfo.set({ name: model.name, version: model.version === null ? '' : String(model.version), sha256: model.sha256 }, 1);
    this.drift.reset(model.reference);
    const show = model.reference !== null;
    if (show !== this.driftShown) {
      for (const gauge of this.driftGauges) {
        if (show) this.registry.registerMetric(gauge);
        else this.registry.removeSingleMetric((gauge as unknown as { name: string }).name);
      }
      this.driftShown = show;
    }
  }

  /** In flight counts all routes together (a request's route is labelled when it is answered). */
  requestStarted(_route: string): void {
    this.inFlight.inc();
  }

  requestDone(route: string, status: number, seconds: number): void {
    this.inFlight.dec();
    this.requests.inc({ route, status: String(status) });
    this.duration.observe({ route }, seconds);
  }

  queueDepth(texts: number): void {
    this.queue.set(texts);
  }

  prediction(label: string | null, distance: number, abstained: boolean): void {
    if (abstained || label === null) this.abstentions.inc();
    else this.predictions.inc({ label });
    this.distance.observe(distance);
    this.drift.add(distance, abstained ? null : label);
  }

  workerRestarted(): void {
    this.workerRestarts.inc();
  }

  modelSwitchFailed(failure: { name: string; version: number | null; reason: string }): void {
    this.switchFailures.inc({ name: failure.name });
  }

  shadowServed(model: { name: string; version: number | null; sha256: string }): void {
    this.shadowInfo.reset();
    this.shadowInfo.set({ name: model.name, version: model.version === null ? '' : String(model.version), sha256: model.sha256 }, 1);
  }

  shadowCompared(served: string | null, shadow: string | null): void {
    this.shadowComparisons.inc();
    if (served === shadow) this.shadowAgreements.inc();
    else this.shadowDisagreements.inc({ served: served ?? 'null', shadow: shadow ?? 'null' });
  }

  shadowDropped(texts: number): void {
    if (texts > 0) this.shadowDrops.inc(texts);
  }

  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
