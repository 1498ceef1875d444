import { describe, expect, it } from 'vitest';
import { compileRoute, joinPaths, routePathProblem } from '../../../src/connectors/http/route-pattern.js';

describe('http-in route paths', () => {
  it('matches literal paths, with or without a trailing slash', () => {
    const r = compileRoute('/hooks/github');
    expect(r.match('/hooks/github')).toEqual({});
    expect(r.match('/hooks/github/')).toEqual({});
    expect(r.match('/hooks/gitlab')).toBeUndefined();
    expect(r.match('/hooks')).toBeUndefined();
    expect(compileRoute('/').match('/')).toEqual({});
  });

  it('gives parameters and the rest, decoded', () => {
    const r = compileRoute('/orders/:region/:id');
    expect(r.match('/orders/eu/a%2Fb')).toEqual({ region: 'eu', id: 'a/b' });
    expect(r.match('/orders/eu')).toBeUndefined();
    expect(r.match('/orders/eu/%E0%A4%A')).toBeUndefined();
    expect(compileRoute('/files/*').match('/files/a/b/c.txt')).toEqual({ '*': 'a/b/c.txt' });
  });

  it('says what is wrong with a path, and joins base paths', () => {
    expect(routePathProblem('hooks')).toMatch(/must start with/);
    expect(routePathProblem('/a?b=1')).toMatch(/query string/);
    expect(routePathProblem('/a/*/b')).toMatch(/last segment/);
    expect(routePathProblem('/a/:x/:x')).toMatch(/twice/);
    expect(routePathProblem('/a/:1x')).toMatch(/not a parameter name/);
    expect(routePathProblem('/a/:id/*')).toBeUndefined();
    expect(joinPaths('/hooks/', '/github')).toBe('/hooks/github');
    expect(joinPaths('', '/github')).toBe('/github');
  });
});
