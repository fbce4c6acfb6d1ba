import { describe, expect, it } from 'vitest';
import { approvalPrompt } from './approval-prompt.ts';

describe('approvalPrompt', () => {
  it('shows the rendered message and its details', () => {
    expect(approvalPrompt({ message: 'Ship CHG-1?', details: { ticket: 'CHG-1' } })).toEqual({
      message: 'Ship CHG-1?',
      details: '{\n  "ticket": "CHG-1"\n}',
    });
    expect(approvalPrompt({ message: 'Go?', details: 'see the ticket' }).details).toBe('see the ticket');
  });

  it('asks a plain question when the step has no message, and leaves out empty details', () => {
    expect(approvalPrompt(null)).toEqual({ message: 'Approve this step?', details: null });
    expect(approvalPrompt({ message: '  ', details: {} })).toEqual({
      message: 'Approve this step?',
      details: null,
    });
    expect(approvalPrompt('text')).toEqual({ message: 'Approve this step?', details: null });
  });
});
