// Types of tfjsGradients.js: it exports nothing; importing it registers the gradients.
export {};
