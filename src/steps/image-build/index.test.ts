import { describe, expect, it } from 'vitest';
import { sizeInWords } from './index.ts';

describe('the image step summary', () => {
  it('says how much was uploaded in the unit people read', () => {
    expect([0, 512, 2048, 48_027_875].map(sizeInWords)).toEqual(['0 B', '512 B', '2.0 KiB', '45.8 MiB']);
  });
});
