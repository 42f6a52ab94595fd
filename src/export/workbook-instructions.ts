import { ATTRIBUTES, ATTRIBUTE_TITLES, type AttributeName } from './model.js';

/** What the auditor tests for each control attribute, and where the evidence is. */
export const WHAT_TO_TEST: Record<AttributeName, [test: string, evidence: string]> = {
  peer_review: [
    'At least the required number of approvals, on the commit that was merged, by people other than the author and contributors, with write access; no unresolved request for changes.',
    'Evidence page: Reviews, Rules; GitHub: the pull request\'s reviews.',
  ],
  separation_of_duties: [
    'Nobody who wrote or pushed any commit of the change approved it; every commit is attributed to a GitHub account (or, for a direct push, a second person was involved).',
    'Evidence page: Commits, Rules (contributors and how each was established).',
  ],
  tests: [
    'The required checks ran on the merged commit and passed; none posted by a contributor counted.',
    'Evidence page: Checks; GitHub: the commit\'s checks.',
  ],
  traceability: [
    'The change references an approved change request (ticket) when the policy requires one.',
    'Evidence page: Change (title, body, branch) and Rules; your ticketing system.',
  ],
  deployment: [
    'A deployment to a gated environment was approved by the gate, and only changes that passed the control were deployed.',
    'Evidence page: Deployments, Decision; the deployment\'s page on GitHub.',
  ],
};

export const TICK_LEGEND: [mark: string, meaning: string][] = [
  ['✓', 'Tested: the attribute operated as designed for this item.'],
  ['✗', 'Exception: the attribute did not operate; describe it in Auditor notes.'],
  ['n/a', 'Not applicable to this item (e.g. no ticket required, not deployed).'],
];

/** The rows of the Instructions sheet, as [column A, column B, column C] (a row of one cell is a heading). */
export function instructionRows(input: { periodLabel: string; periodText: string; generatedAt: string; sampleSize: number; populationSize: number }): string[][] {
  return [
    [`Change-management sample — ${input.periodLabel}`],
    ['Observation period', input.periodText],
    ['Generated at (UTC)', input.generatedAt],
    ['Population', `${input.populationSize} ${input.populationSize === 1 ? 'item' : 'items'} (population.csv and the Population sheet)`],
    ['Sample', `${input.sampleSize} ${input.sampleSize === 1 ? 'item' : 'items'} (the Sample sheet, one evidence page each)`],
    [],
    ['How to use this workbook'],
    ['1', 'On the Sample sheet, open each item\'s evidence page (the Item link) and its GitHub page.'],
    ['2', 'For each control attribute, test what is described below and mark the "Auditor:" column ✓, ✗ or n/a; the "Changeproof:" column is what the tool recorded, not your conclusion.'],
    ['3', 'Write what you saw and any exception in Auditor notes; the Exceptions sheet lists every exception of the period with its resolution and management\'s response.'],
    ['4', 'The files are signed: verify the package (changeproof verify-export, or the standalone verifier in the folder) before relying on it.'],
    [],
    ['Control attribute', 'What to test', 'Where the evidence is'],
    ...ATTRIBUTES.map((a) => [ATTRIBUTE_TITLES[a], ...WHAT_TO_TEST[a]]),
    [],
    ['Tick mark', 'Meaning'],
    ...TICK_LEGEND.map(([mark, meaning]) => [mark, meaning]),
    [],
    ['Times are UTC. Dates and numbers are stored as such, so they sort and filter; text is stored as text and is never run as a formula.'],
  ];
}
