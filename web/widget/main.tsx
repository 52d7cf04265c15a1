/** `/widget.js`: placeholder until the widget lands. */
export {};
