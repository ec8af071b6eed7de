// Labels the kwok stages (test/cluster/kwok/stages.yaml) react to.

/** On a Job's pod template: `fail` makes its pods end Failed (exit code 1) instead of Succeeded. */
export const TEST_OUTCOME_LABEL = 'ponyexpress.dev/test-outcome';
