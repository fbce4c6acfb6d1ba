// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and assert on their shape.
export type Json = any;

/** The JSON body of a response, typed loosely for assertions. */
export const json = async (response: Response | Promise<Response>): Promise<Json> => (await response).json();
