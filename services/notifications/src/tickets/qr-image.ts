import QRCode from 'qrcode';

/** A ticket's signed code as a PNG QR image, as ticketing's own QR route draws it. */
export const qrPng = (code: string): Promise<Buffer> => QRCode.toBuffer(code, { type: 'png', margin: 2, scale: 6 });
