/** The stored form of a phone number: its digits and an optional leading `+`. */
export function normalisePhoneNumber(phoneNumber: string): string {
  return phoneNumber.replace(/[\s\-()]/g, '');
}
