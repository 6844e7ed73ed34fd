/** npc as a library: exact gzip NCD and a k-nearest-neighbour classifier over it. */
// The classifier with load and save (app/model-library.ts), over the model layer's one.
export { GzipKnnClassifier } from './app/model-library.js';
export type { SaveCardOptions } from './app/model-library.js';
export type { ClassifierOptions, KNeighborsResult } from './model/classifier.js';
export { compressedLength, createEngineCompressor, defaultCompressor, pakoCompressor, utf8Bytes } from './compress/index.js';
export type { PairScanner } from './compress/index.js';
export type { Compressor } from './compress/index.js';
export { ncd, ncdFromLengths } from './model/ncd.js';
export { strictVote, lenientCorrect, topLabels, voteCounts } from './model/vote.js';
export type { Label } from './model/labels.js';
