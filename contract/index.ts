// The contract between the charts (charts/) and the operator (operator/): every fact both sides rely on,
// written once. Both import it; it imports neither.
export * from './canonical-json.js';
export * from './labels.js';
export * from './operator-env.js';
export * from './promotion.js';
export * from './app-env.js';
export * from './yaml.js';
