/** The lab's credentials: public on purpose, printed in the README and in lab inventories. */
export const LAB_USER = 'lab';
export const LAB_PASSWORD = 'lab123';
export const LAB_PASSWORD_ENV = 'RUNBOOK_LAB_PASSWORD';
