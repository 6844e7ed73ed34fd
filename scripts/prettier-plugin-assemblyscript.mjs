/**
 * Prettier for the engine's AssemblyScript sources (assembly/, see .prettierrc.json): TypeScript's
 * parser with one difference. AssemblyScript puts decorators on functions (`@inline function f`),
 * where TypeScript's parser rejects them; this parser reads such a decorator as the block comment
 * `/*@inline*\/` and the printer writes it back as `@inline`, so prettier formats the rest as it
 * formats TypeScript.
 */
import * as estree from 'prettier/plugins/estree';
import * as typescript from 'prettier/plugins/typescript';

/** A decorator on a function or a variable (not on a class, which TypeScript's parser accepts). */
const FUNCTION_DECORATOR = /@(inline|lazy|global|external|final)(?=[ \t]+(?:export[ \t]+)?(?:function|const|let|var)\b)/g;
const AS_COMMENT = /^@(inline|lazy|global|external|final)$/;

const estreePrinter = estree.printers.estree;

export const languages = [];

export const parsers = {
  assemblyscript: {
    ...typescript.parsers.typescript,
    astFormat: 'assemblyscript-estree',
    preprocess: (text) => text.replace(FUNCTION_DECORATOR, '/*@$1*/'),
  },
};

export const printers = {
  'assemblyscript-estree': {
    ...estreePrinter,
    printComment(path, options) {
      const comment = path.node;
      if (comment.type === 'Block' && AS_COMMENT.test(comment.value)) return comment.value;
      return estreePrinter.printComment(path, options);
    },
  },
};
