import { describe, expect, it } from 'vitest';
import { answeredDeliveries } from '../../src/core/records.js';

const t = (deliveryId: unknown) => ({ event: 'check_run', action: 'completed', deliveryId, sender: 'ci' });

describe('answeredDeliveries: the deliveries a recorded entry answered', () => {
  it.each<[string, unknown, string[]]>([
    ['an evaluation answering its trigger alone', { trigger: t('d-1') }, ['d-1']],
    ['one that also answered deliveries folded into it', { trigger: t('d-3'), coalesced: [t('d-1'), t('d-2')] }, ['d-3', 'd-1', 'd-2']],
    ['data without a trigger (a checkpoint)', { size: 3 }, []],
    ['no data at all', null, []],
    ['ids that are not strings, and null members, are left out', { trigger: t(7), coalesced: [null, t('d-2'), 'x'] }, ['d-2']],
    ['`coalesced` that is not a list', { trigger: t('d-1'), coalesced: { deliveryId: 'd-2' } }, ['d-1']],
  ])('%s', (_name, data, expected) => {
    expect(answeredDeliveries(data)).toEqual(expected);
  });
});
