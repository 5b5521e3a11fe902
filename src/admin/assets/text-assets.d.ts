// Stylesheets are embedded into the binary as text (`import css from "./admin.css" with { type: "text" }`).
declare module "*.css" {
  const text: string;
  export default text;
}
