// jStat ships no type declarations; npc uses its gamma functions only (app/drift-stats.ts).
declare module 'jstat';
