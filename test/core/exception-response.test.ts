import { describe, expect, it } from 'vitest';
import { judgeResponder, MAX_RESPONSE_LENGTH, parseRespondCommand, type ResponderFacts } from '../../src/core/exception-response.js';

describe('parseRespondCommand', () => {
  it.each([
    ['/changeproof respond Reviewed after the fact.', 'Reviewed after the fact.'],
    ['  /Changeproof Respond  accepted', 'accepted'],
    ['Thanks.\n/changeproof respond Accepted: INC-7.\nSecond line.', 'Accepted: INC-7.\nSecond line.'],
    ['/changeproof respond first\r\nsecond\r\n', 'first\nsecond'],
    ['/changeproof respond', ''],
    ['/changeproof respond   ', ''],
    ['Example:\n```\n/changeproof respond shown\n```\n/changeproof respond Given: INC-9.', 'Given: INC-9.'],
    ['   /CHANGEPROOF Respond three spaces are still a line that starts with it', 'three spaces are still a line that starts with it'],
    ['<!-- a note -->\n/changeproof respond Reviewed by the CTO.', 'Reviewed by the CTO.'],
    ['<!--\nhidden\n-->\n/changeproof respond After the comment.', 'After the comment.'],
  ])('%j is a response: %j', (body, text) => {
    expect(parseRespondCommand(body)).toEqual({ text });
  });

  it.each([
    'LGTM',
    '> /changeproof respond quoted from someone else',
    'please run /changeproof respond later',
    '/changeproof responded yes',
    '/changeproofrespond x',
    'To answer, write:\n```\n/changeproof respond <your text>\n```',
    'Like this:\n~~~~\n/changeproof respond example\n~~~~\nthen wait.',
    '>/changeproof respond quoted without a space',
    'Type `/changeproof respond <text>` to answer.',
    '```\n/changeproof respond never closed',
    '\\/changeproof respond escaped',
    // Four spaces or a tab make an indented code block in Markdown: shown, not given.
    'To answer an exception, write:\n\n    /changeproof respond <your explanation>\n\nand the app records it.',
    '\t/changeproof respond ok',
    '1. Open the pull request\n2. Comment:\n\n    ```\n    /changeproof respond <text>\n    ```\n',
    // Inside an HTML comment the command is invisible on GitHub.
    'Thanks for the fix!\n<!--\n/changeproof respond Accepted.\n-->',
  ])('%j is not a command', (body) => {
    expect(parseRespondCommand(body)).toBeNull();
  });

  it('reads nothing from a missing body', () => {
    expect(parseRespondCommand(null)).toBeNull();
    expect(parseRespondCommand(undefined)).toBeNull();
  });
});

describe('judgeResponder', () => {
  const base: ResponderFacts = { responder: 'dave', roleName: 'maintain', contributors: ['alice', 'bob'], actors: ['carol'], text: 'Accepted.', exceptions: 1, about: 'pull request #42' };

  it.each<[string, Partial<ResponderFacts>, RegExp | null]>([
    ['a maintainer who had no part in it may respond', {}, null],
    ['an admin may respond', { roleName: 'admin' }, null],
    ['the write role may not', { roleName: 'write' }, /@dave has the write role on this repository; only a person with the admin or maintain role/],
    ['the triage role may not', { roleName: 'triage' }, /triage role/],
    ['no role at all may not', { roleName: null }, /has the none role/],
    ['a custom role may not', { roleName: 'security-reviewer' }, /security-reviewer role/],
    ['a contributor may not, whatever the case of the login', { responder: 'Bob', roleName: 'admin' }, /@Bob contributed to pull request #42; a response must come from someone who did not\./],
    ['whoever merged or pushed may not', { responder: 'carol', roleName: 'admin' }, /@carol caused this exception/],
    ['nothing to respond to', { exceptions: 0 }, /pull request #42 has no exception recorded/],
    ['an empty response', { text: '' }, /the response is empty/],
    ['a response beyond the limit', { text: 'x'.repeat(MAX_RESPONSE_LENGTH + 1) }, /at most 8000 are recorded/],
    ['a contributor who renamed the account may not (the same account id)', { responder: 'bob-2', responderId: 7, accounts: new Map([[7, { login: 'bob', caused: false }]]) }, /^@bob-2 is the same account as @bob \(renamed since\), which contributed to pull request #42; a response must come from someone who did not\.$/],
    ['whoever merged, renamed since, may not', { responder: 'carol-2', responderId: 9, accounts: new Map([[9, { login: 'carol', caused: true }]]) }, /^@carol-2 is the same account as @carol \(renamed since\), which caused this exception/],
    ['another account may, whatever ids the evidence holds', { responderId: 3, accounts: new Map([[7, { login: 'bob', caused: false }]]) }, null],
    ['no id known for the responder: the logins decide', { responderId: null, accounts: new Map([[7, { login: 'bob', caused: false }]]) }, null],
  ])('%s', (_name, change, refusal) => {
    const judged = judgeResponder({ ...base, ...change });
    if (refusal === null) expect(judged).toEqual({ ok: true });
    else expect(judged.ok === false && judged.reason).toMatch(refusal);
  });
});
