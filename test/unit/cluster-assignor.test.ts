import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignConnectors, withoutConcurrentMoves, type MemberReport } from '../../src/cluster/assignor.js';
import { decodeAssignment, decodeMetadata, encodeAssignment, encodeMetadata } from '../../src/cluster/protocol.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
const owners = (result: Map<string, string[]>) => {
  const seen = new Map<string, string>();
  for (const [member, list] of result) for (const name of list) {
    assert.equal(seen.has(name), false, `${name} assigned twice`);
    seen.set(name, member);
  }
  return seen;
};
const spread = (result: Map<string, string[]>) => {
  const sizes = [...result.values()].map((l) => l.length);
  return Math.max(...sizes) - Math.min(...sizes);
};
const report = (result: Map<string, string[]>): MemberReport[] => [...result].map(([memberId, owned]) => ({ memberId, owned }));

test('every connector on exactly one member, balanced within one', () => {
  for (const [members, count] of [[1, 6], [3, 6], [3, 7], [4, 2], [5, 0]] as const) {
    const result = assignConnectors(Array.from({ length: members }, (_, i) => ({ memberId: `m${i}`, owned: [] })), names(count));
    assert.equal(result.size, members);
    assert.deepEqual([...owners(result).keys()].sort(), names(count).sort());
    assert.ok(spread(result) <= 1, `spread ${spread(result)} for ${members} members, ${count} connectors`);
  }
});

test('a dead member: only its connectors move, to the survivors', () => {
  const first = assignConnectors([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }, { memberId: 'c', owned: [] }], names(6));
  const before = owners(first);
  const survivors = report(first).filter((m) => m.memberId !== 'b');
  const after = owners(assignConnectors(survivors, names(6)));
  for (const [name, member] of before) {
    if (member === 'b') assert.notEqual(after.get(name), 'b');
    else assert.equal(after.get(name), member, `${name} moved although its member lives`);
  }
  assert.equal(after.size, 6);
});

test('a joining member takes only what evens the load out; nothing else moves', () => {
  const two = assignConnectors([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }], names(6));
  const three = assignConnectors([...report(two), { memberId: 'c', owned: [] }], names(6));
  assert.equal(three.get('c')!.length, 2);
  const moved = [...owners(three)].filter(([name, member]) => owners(two).get(name) !== member);
  assert.equal(moved.length, 2);
  assert.ok(spread(three) <= 1);
});

test('claims: a connector two members run stays with the first; deleted connectors are dropped; the rest evens out', () => {
  const result = assignConnectors(
    [{ memberId: 'b', owned: ['x', 'gone'] }, { memberId: 'a', owned: ['x', 'y'] }, { memberId: 'c', owned: [] }],
    ['x', 'y', 'new'],
  );
  assert.deepEqual(result.get('a'), ['x']);
  assert.deepEqual([...result.values()].map((l) => l.length), [1, 1, 1]);
  assert.deepEqual([...owners(result).keys()].sort(), ['new', 'x', 'y']);
  const kept = assignConnectors([{ memberId: 'a', owned: ['x', 'y'] }, { memberId: 'b', owned: ['new'] }], ['x', 'y', 'new']);
  assert.deepEqual(kept.get('a'), ['x', 'y'], 'within the share: nothing moves');
});

test('a rolling restart of three members moves each connector a bounded number of times', () => {
  let current = assignConnectors(['a', 'b', 'c'].map((memberId) => ({ memberId, owned: [] })), names(6));
  const moves = new Map<string, number>();
  for (const restarting of ['a', 'b', 'c']) {
    for (const step of ['leave', 'return']) {
      const members = step === 'leave' ? report(current).filter((m) => m.memberId !== restarting) : [...report(current), { memberId: restarting, owned: [] }];
      const next = assignConnectors(members, names(6));
      for (const [name, member] of owners(next)) if (owners(current).get(name) !== member) moves.set(name, (moves.get(name) ?? 0) + 1);
      current = next;
      assert.ok(spread(current) <= 1);
    }
  }
  assert.equal(owners(current).size, 6);
  for (const [name, count] of moves) assert.ok(count <= 4, `${name} moved ${count} times`);
});

test('protocol bytes round-trip; unreadable or older bytes decode to null', () => {
  assert.deepEqual(decodeMetadata(encodeMetadata({ url: 'http://h:8083', owned: ['a'] })), { url: 'http://h:8083', owned: ['a'] });
  const a = { leaderId: 'm1', leaderUrl: 'http://h:8083', configOffset: '42', connectors: ['a', 'b'], owners: { a: 'http://h:8083', c: 'http://g:8083' } };
  assert.deepEqual(decodeAssignment(encodeAssignment(a)), a);
  assert.equal(decodeMetadata(Buffer.from('not json')), null);
  assert.equal(decodeMetadata(Buffer.from('{"version":0,"url":"x","owned":[]}')), null);
  assert.equal(decodeAssignment(Buffer.from('{"version":1,"leaderId":"m","leaderUrl":"u","configOffset":"1","connectors":[1]}')), null);
});

test('a connector moved away from a live member is withheld for one round, then placed', () => {
  const members = [
    { memberId: 'a', owned: ['c1', 'c2', 'c3', 'c4'] },
    { memberId: 'b', owned: [] },
  ];
  const plan = assignConnectors(members, ['c1', 'c2', 'c3', 'c4']);
  const first = withoutConcurrentMoves(plan, members);
  // b is to take two of a's connectors: in this round nobody has them
  assert.deepEqual(first.get('a'), plan.get('a'));
  assert.deepEqual(first.get('b'), []);
  // a stopped them and reports only what it kept: the next round gives them to b
  const next = [{ memberId: 'a', owned: first.get('a')! }, { memberId: 'b', owned: [] }];
  const second = withoutConcurrentMoves(assignConnectors(next, ['c1', 'c2', 'c3', 'c4']), next);
  assert.equal(second.get('b')!.length, 2);
  assert.deepEqual([...second.get('a')!, ...second.get('b')!].sort(), ['c1', 'c2', 'c3', 'c4']);
  // a dead member's connectors are not withheld: nobody live runs them
  const survivors = [{ memberId: 'b', owned: second.get('b')! }];
  assert.deepEqual(withoutConcurrentMoves(assignConnectors(survivors, ['c1', 'c2', 'c3', 'c4']), survivors).get('b'), ['c1', 'c2', 'c3', 'c4']);
});

test('a connector two members claim is withheld from both', () => {
  const members = [
    { memberId: 'a', owned: ['x', 'y'] },
    { memberId: 'b', owned: ['x'] },
  ];
  const result = withoutConcurrentMoves(assignConnectors(members, ['x', 'y']), members);
  assert.ok(!result.get('a')!.includes('x') && !result.get('b')!.includes('x'));
  // once both stopped x, it is placed (and y, which a kept running, stays where it runs)
  const next = [{ memberId: 'a', owned: ['y'] }, { memberId: 'b', owned: [] }];
  const placed = withoutConcurrentMoves(assignConnectors(next, ['x', 'y']), next);
  assert.deepEqual(placed.get('a'), ['y']);
  assert.deepEqual(placed.get('b'), ['x']);
});
