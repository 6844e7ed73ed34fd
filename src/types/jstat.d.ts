// jStat ships no type declarations; npc uses its chi-square distribution only (app/drift-stats.ts).
declare module 'jstat';
