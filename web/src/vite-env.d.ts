// Vite's types for what the page imports besides modules (its stylesheet).
/// <reference types="vite/client" />
