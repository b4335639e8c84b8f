import { describe, expect, it } from 'vitest';
import { findTodoComments } from '../../../src/rules/find-todo-comments.js';

describe('findTodoComments', () => {
  it('warns at every # TODO comment, full-line or trailing, and not at a TODO inside a value', () => {
    const text = [
      'rules:',
      '  # TODO: decide the period',
      '  - after: 10y  # TODO pick',
      '    description: "a # TODO inside quotes"',
      '    where: "x = 1" # note, no decision',
      '    clock: t.TODO_at',
    ].join('\n');
    expect(findTodoComments('r.yaml', text).map((problem) => [problem.line, problem.column, problem.check, problem.severity, problem.message])).toEqual([
      [2, 3, 'todo', 'warning', 'a decision is still open: TODO: decide the period'],
      [3, 17, 'todo', 'warning', 'a decision is still open: TODO pick'],
    ]);
  });
});
