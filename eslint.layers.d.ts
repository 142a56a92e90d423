import type { Linter } from 'eslint';

/** The layer rules of eslint.layers.js, typed for the test that plants imports against them. */
export declare const layers: Linter.Config[];
