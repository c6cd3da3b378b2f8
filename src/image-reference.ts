// placeholder: replaced by the ImageReference implementation
export const PLACEHOLDER = true;
