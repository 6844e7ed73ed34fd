/**
 * What the server tells its observer (the Prometheus metrics, serve/metrics.ts): the server
 * calls these as things happen and never reads anything back but the exposition text, so the request
 * path does not depend on how the figures are kept.
 */

/** The model a server answers with, as the observer labels its figures. */
export interface ServedModelInfo {
  name: string;
  /** The repository version when the model came from a `models:/` URI, else null. */
  version: number | null;
  /** The sha256 of the artifact's bytes. */
  sha256: string;
  /** The card's reference distributions (null when it has none): what the rolling drift check compares against. */
  reference: { distances: readonly number[]; labels: readonly { label: string; count: number }[] } | null;
}

export interface ServeObserver {
  /** A model became the one answering (at start, and on every switch). */
  modelServed(model: ServedModelInfo): void;
  /**
   * The alias served moved to a version that could not be served (not switched to; the model served stays):
   * the served model's name, the version refused (null when the alias did not resolve) and why. Told once per cause.
   */
  modelSwitchFailed(failure: { name: string; version: number | null; reason: string }): void;
  /** A request was accepted (in flight from now on). */
  requestStarted(route: string): void;
  /** A request was answered: its route (the route's URL pattern, e.g. `/v1/classify`), status and duration. */
  requestDone(route: string, status: number, seconds: number): void;
  /** The number of texts waiting for a search worker changed. */
  queueDepth(texts: number): void;
  /**
   * One text was classified: the predicted label as its JSON text (`2`, `"sports"`), or null when npc
   * abstained; its nearest distance; whether it abstained. Empty texts are not classified and not told.
   */
  prediction(label: string | null, distance: number, abstained: boolean): void;
  /** A shadow model became the one comparing (`npc serve --shadow`: at start, and on every switch of its alias). */
  shadowServed(model: { name: string; version: number | null; sha256: string }): void;
  /**
   * One text answered by the served model was classified by the shadow too, after its response was sent:
   * both labels as JSON text, null when that model abstained. Equal texts agree.
   */
  shadowCompared(served: string | null, shadow: string | null): void;
  /** Texts answered that the shadow did not classify: its queue was full, or its search failed (a worker died, the server stopped). */
  shadowDropped(texts: number): void;
  /** A search worker died and was replaced. */
  workerRestarted(): void;
  /** The Prometheus text exposition of everything observed, and its content type. */
  exposition(): Promise<{ contentType: string; text: string }>;
}
