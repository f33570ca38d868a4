// The page: header with status, the alert area, and the lab or the paper grid.
import { useEffect } from 'react';
import { useLab } from './store/lab';
import { boot } from './session/boot';
import { AlertBox } from './components/AlertBox';
import { Header } from './components/Header';
import { LabView } from './components/LabView';
import { NoticeLine } from './components/NoticeLine';
import { SoftwareNotice } from './components/SoftwareNotice';
import { GridView } from './grid/GridView';

export function App() {
  useEffect(() => boot(), []);
  const tab = useLab((s) => s.tab);
  return (
    <>
      <Header />
      <AlertBox />
      <NoticeLine />
      <SoftwareNotice />
      <main>{tab === 'grid' ? <GridView /> : <LabView />}</main>
    </>
  );
}
