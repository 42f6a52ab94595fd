/**
 * The points of focus of SOC 2 criterion CC8.1 (AICPA Trust Services Criteria,
 * 2017, revised 2022): "The entity authorizes, designs, develops or acquires,
 * configures, documents, tests, approves, and implements changes to
 * infrastructure, data, software, and procedures to meet its objectives."
 *
 * Every rule result names the points of focus it supports, so the evidence an
 * auditor reads is mapped to the criterion without a spreadsheet.
 */
export const POINTS_OF_FOCUS = {
  'CC8.1-PF1': 'Manages Changes Throughout the System Lifecycle',
  'CC8.1-PF2': 'Authorizes Changes',
  'CC8.1-PF3': 'Designs and Develops Changes',
  'CC8.1-PF4': 'Documents Changes',
  'CC8.1-PF5': 'Tracks System Changes',
  'CC8.1-PF6': 'Configures Software',
  'CC8.1-PF7': 'Tests System Changes',
  'CC8.1-PF8': 'Approves System Changes',
  'CC8.1-PF9': 'Deploys System Changes',
  'CC8.1-PF10': 'Identifies and Evaluates System Changes',
  'CC8.1-PF11': 'Identifies Changes in Infrastructure, Data, Software, and Procedures Required to Remediate Incidents',
  'CC8.1-PF12': 'Creates Baseline Configuration of IT Technology',
  'CC8.1-PF13': 'Provides for Changes Necessary in Emergency Situations',
} as const;

export type PointOfFocus = keyof typeof POINTS_OF_FOCUS;

/** Which points of focus each rule's evidence supports (see docs/controls.md). */
export const RULE_POINTS_OF_FOCUS = {
  scope: ['CC8.1-PF1', 'CC8.1-PF5'],
  policy: ['CC8.1-PF1', 'CC8.1-PF6'],
  evidence: ['CC8.1-PF4', 'CC8.1-PF5'],
  peer_review: ['CC8.1-PF8', 'CC8.1-PF10', 'CC8.1-PF3'],
  path_rule: ['CC8.1-PF8', 'CC8.1-PF10', 'CC8.1-PF2'],
  code_owners: ['CC8.1-PF8', 'CC8.1-PF10', 'CC8.1-PF2'],
  changes_requested: ['CC8.1-PF8', 'CC8.1-PF10'],
  separation_of_duties: ['CC8.1-PF2', 'CC8.1-PF8', 'CC8.1-PF4'],
  checks: ['CC8.1-PF7', 'CC8.1-PF10'],
  change_request: ['CC8.1-PF2', 'CC8.1-PF4', 'CC8.1-PF5'],
  emergency: ['CC8.1-PF13', 'CC8.1-PF11'],
  deployment: ['CC8.1-PF9', 'CC8.1-PF5', 'CC8.1-PF8'],
} as const satisfies Record<string, readonly PointOfFocus[]>;

export type RuleId = keyof typeof RULE_POINTS_OF_FOCUS;
