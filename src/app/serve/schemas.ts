/**
 * The JSON schemas of the server's routes (requests and responses): fastify holds them with each route
 * and GET /openapi.json (OpenAPI 3.1, so JSON Schema as written here) is generated from them. The handlers
 * check requests themselves, so that a bad field is named as people write it (`texts[3]`), and write their
 * answers as JSON text (labels that are big integers keep every digit); a test sends the same table of
 * bodies to both and checks that the schema accepts exactly what the handler answers, and that every
 * answer matches its response schema.
 */

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

const label = { description: 'a label of the model: a string or an integer', oneOf: [{ type: 'string' }, { type: 'integer' }] };

const neighbor = {
  type: 'object',
  required: ['index', 'label', 'distance'],
  properties: {
    index: { type: 'integer', description: "the training row's index in the model (from 0)" },
    label,
    distance: { type: 'number', description: 'NCD to the text' },
  },
};

const prediction = {
  type: 'object',
  required: ['prediction', 'confidence', 'distance', 'abstained'],
  properties: {
    prediction: {
      description: 'the predicted label; null when npc abstained',
      oneOf: [...label.oneOf, { type: 'null' }],
    },
    prediction_name: { type: 'string', description: "the label's display name, when the model has one" },
    confidence: { type: 'number', description: 'the share of the k nearest that voted for the label' },
    distance: { type: 'number', description: 'NCD to the nearest training row' },
    abstained: { type: 'boolean', description: "true when the model's thresholds said not to answer" },
    neighbors: { type: 'array', items: neighbor, description: 'the n nearest training rows, with "neighbors": n' },
  },
};

const modelRef = {
  type: 'object',
  required: ['name', 'version'],
  properties: {
    name: { type: 'string' },
    version: { type: ['integer', 'null'], description: 'the repository version; null for a model file' },
  },
};

const errors = {
  400: { description: 'malformed JSON (with the position) or a missing, empty or non-string text (naming the field)', ...error },
  413: { description: 'the body, or the batch, is too large', ...error },
  415: { description: 'the content type is neither application/json nor application/x-ndjson', ...error },
  500: { description: 'a search worker failed while it held the request (it has been replaced)', ...error },
  503: { description: 'the model is not loaded yet, the queue is full (Retry-After), or the server is stopping', ...error },
  504: { description: 'the request took longer than --timeout', ...error },
};

/** The schema of POST /v1/classify, for a server taking at most `maxBatch` texts in one request. */
export const classifySchema = (maxBatch: number) => ({
  summary: 'Classify one text, a batch of texts, or a stream of JSON lines',
  description:
    'application/json: {"text"} or {"texts": [...]} with an optional "neighbors": n. application/x-ndjson: one JSON object per line ' +
    'with a "text" field; the answer streams one line per input line, as `npc classify --json` writes it.',
  body: {
    type: 'object',
    properties: {
      text: { type: 'string', minLength: 1 },
      texts: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        minItems: 1,
        maxItems: maxBatch,
        description: 'at most --max-batch texts (413 above)',
      },
      neighbors: { type: 'integer', minimum: 0, description: "at most the model's rows (400 above)" },
    },
    oneOf: [{ required: ['text'] }, { required: ['texts'] }],
  },
  response: {
    200: {
      description: 'one prediction ({"text"}) or {"predictions": [...]} in the order of "texts"',
      oneOf: [
        { ...prediction, required: [...prediction.required, 'model'], properties: { ...prediction.properties, model: modelRef } },
        {
          type: 'object',
          required: ['predictions', 'model'],
          properties: { predictions: { type: 'array', items: prediction }, model: modelRef },
        },
      ],
    },
    ...errors,
  },
});

export const modelSchema = {
  summary: "The model's card (card.json)",
  response: { 200: { type: 'object', additionalProperties: true }, 503: errors[503] },
};

export const healthSchema = {
  summary: 'The process is up',
  response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } } },
};

export const readySchema = {
  summary: 'The model is loaded and the search workers are up (503 before)',
  response: {
    200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } },
    503: errors[503],
  },
};

export const metricsSchema = {
  summary: 'Prometheus metrics (text exposition format)',
  response: { 200: { type: 'string' } },
};

export const openapiSchema = {
  summary: 'This document',
  response: { 200: { type: 'object', additionalProperties: true } },
};
