// admin.js is imported as text (`with { type: "text" }`) and served to the browser, never executed by the server.
declare const text: string;
export default text;
