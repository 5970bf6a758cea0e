/**
 * Rules of the JSON protocol's declaration itself. A frame is `{ id, type, ...params }`, so a
 * command parameter named `id` or `type` would overwrite the frame's own fields and its reply
 * would never be matched — a silent failure; forbid it at the source.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Commands } from '../../src/shared/protocol';

describe('the JSON protocol declaration', () => {
  it('has no command whose parameters are called id or type (they are the frame’s own)', () => {
    const clashes: string[] = [];
    for (const [type, command] of Object.entries(Commands)) {
      const params = command.params as z.ZodType;
      const shape = params instanceof z.ZodObject ? Object.keys(params.shape) : [];
      for (const key of shape) if (key === 'id' || key === 'type') clashes.push(`${type}.${key}`);
    }
    expect(clashes).toEqual([]);
  });

  it('declares every command with parameter and result schemas', () => {
    for (const [type, command] of Object.entries(Commands)) {
      expect(command.params, type).toBeInstanceOf(z.ZodType);
      expect(command.result, type).toBeInstanceOf(z.ZodType);
    }
    expect(Object.keys(Commands)).toContain('transfer.consult');
  });
});
