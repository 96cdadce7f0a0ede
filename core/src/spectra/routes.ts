import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../http/app.js';

/**
 * Spectra for the web plotter: many spectra from storage, read with the sdk readers and sent as
 * binary Float32 (implemented in core/src/spectra/*).
 */
export async function spectraRoutes(_app: FastifyInstance, _services: AppServices): Promise<void> {
  // implemented in core/src/spectra/*
}
