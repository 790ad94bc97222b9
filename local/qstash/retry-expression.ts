import { badRequest } from "./errors";

/**
 * `Upstash-Retry-Delay` expressions such as `pow(2, retried) * 1000` or
 * `min(86400000, 1000 * exp(retried))`. A hand-written parser rather than
 * `eval`/`new Function`, because the text comes from whoever can publish and
 * must never run as code. Supports numbers, `retried`, + - * / and
 * parentheses, unary minus, and the functions QStash documents.
 */

type Node =
  | { kind: "number"; value: number }
  | { kind: "retried" }
  | { kind: "unary"; operand: Node }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: Node; right: Node }
  | { kind: "call"; name: FunctionName; args: Node[] };

const FUNCTIONS = {
  pow: { arity: [2, 2], fn: (a: number, b: number) => a ** b },
  sqrt: { arity: [1, 1], fn: Math.sqrt },
  abs: { arity: [1, 1], fn: Math.abs },
  exp: { arity: [1, 1], fn: Math.exp },
  floor: { arity: [1, 1], fn: Math.floor },
  ceil: { arity: [1, 1], fn: Math.ceil },
  round: { arity: [1, 1], fn: Math.round },
  min: { arity: [1, Infinity], fn: Math.min },
  max: { arity: [1, Infinity], fn: Math.max },
} as const satisfies Record<string, { arity: readonly [number, number]; fn: (...args: number[]) => number }>;
type FunctionName = keyof typeof FUNCTIONS;

const MAX_LENGTH = 1_000;
const MAX_DEPTH = 64;

export type RetryDelayExpression = (retried: number) => number;

/** Parses once (400 on bad input) and returns an evaluator giving milliseconds. */
export function compileRetryDelay(source: string): RetryDelayExpression {
  if (source.length > MAX_LENGTH) throw badRequest("invalid Upstash-Retry-Delay: expression too long");
  const tokens = tokenize(source);
  let position = 0;
  const fail = (why: string): never => {
    throw badRequest(`invalid Upstash-Retry-Delay ${JSON.stringify(source)}: ${why}`);
  };
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position];
    if (token === undefined || (expected !== undefined && token !== expected)) fail(`expected ${expected ?? "more input"}`);
    position++;
    return token!;
  };

  function expression(depth: number): Node {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    let left = term(depth);
    while (peek() === "+" || peek() === "-") {
      const op = take() as "+" | "-";
      left = { kind: "binary", op, left, right: term(depth) };
    }
    return left;
  }
  function term(depth: number): Node {
    let left = unary(depth);
    while (peek() === "*" || peek() === "/") {
      const op = take() as "*" | "/";
      left = { kind: "binary", op, left, right: unary(depth) };
    }
    return left;
  }
  function unary(depth: number): Node {
    if (depth > MAX_DEPTH) fail("nested too deeply");
    if (peek() === "-") {
      take();
      return { kind: "unary", operand: unary(depth + 1) };
    }
    if (peek() === "+") {
      take();
      return unary(depth + 1);
    }
    return primary(depth);
  }
  function primary(depth: number): Node {
    const token = take();
    if (token === "(") {
      const inner = expression(depth + 1);
      take(")");
      return inner;
    }
    if (/^(\d+\.?\d*|\.\d+)$/.test(token)) return { kind: "number", value: Number(token) };
    if (token === "retried") return { kind: "retried" };
    if (Object.hasOwn(FUNCTIONS, token)) {
      const name = token as FunctionName;
      take("(");
      const args: Node[] = [];
      if (peek() !== ")") {
        args.push(expression(depth + 1));
        while (peek() === ",") {
          take();
          args.push(expression(depth + 1));
        }
      }
      take(")");
      const [least, most] = FUNCTIONS[name].arity;
      if (args.length < least || args.length > most)
        fail(`${name} takes ${least === most ? least : `at least ${least}`} argument(s)`);
      return { kind: "call", name, args };
    }
    return fail(`unexpected ${JSON.stringify(token)}`);
  }

  const tree = expression(0);
  if (position !== tokens.length) fail(`unexpected ${JSON.stringify(tokens[position])}`);
  return (retried) => evaluate(tree, retried);
}

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(?:(\d+\.?\d*|\.\d+)|([A-Za-z_]\w*)|([-+*/(),]))/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw badRequest(`invalid Upstash-Retry-Delay ${JSON.stringify(source)}: unexpected character at ${index}`);
    const token = match[1] ?? match[2] ?? match[3]!;
    if (match[2] !== undefined && token !== "retried" && !Object.hasOwn(FUNCTIONS, token)) {
      throw badRequest(`invalid Upstash-Retry-Delay ${JSON.stringify(source)}: unknown name ${JSON.stringify(token)}`);
    }
    tokens.push(token);
    index = pattern.lastIndex;
  }
  if (tokens.length === 0) throw badRequest("invalid Upstash-Retry-Delay: empty expression");
  return tokens;
}

function evaluate(node: Node, retried: number): number {
  switch (node.kind) {
    case "number":
      return node.value;
    case "retried":
      return retried;
    case "unary":
      return -evaluate(node.operand, retried);
    case "binary": {
      const left = evaluate(node.left, retried);
      const right = evaluate(node.right, retried);
      if (node.op === "+") return left + right;
      if (node.op === "-") return left - right;
      if (node.op === "*") return left * right;
      return left / right;
    }
    case "call":
      return (FUNCTIONS[node.name].fn as (...args: number[]) => number)(...node.args.map((arg) => evaluate(arg, retried)));
  }
}
